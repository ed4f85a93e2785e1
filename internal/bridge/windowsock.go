package bridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"
)

// One window per user, with or without an agent: the window holds
// window.sock beside the agent's socket (the same lock and checks,
// [Listen]); a second start hands it the files it was given ("open" and
// a JSON array of paths) and ends.

// WindowSocketPath is the window's socket, beside the agent's.
func WindowSocketPath() string { return filepath.Join(filepath.Dir(SocketPath()), "window.sock") }

// HandFiles asks the window holding path to come to the front and open
// files (absolute paths): ErrNoAgent (no window there) when none holds it.
func HandFiles(path string, files []string) error {
	list, err := json.Marshal(files)
	if err != nil {
		return err
	}
	if len(list)+len(OpOpen)+len(Protocol)+2 > maxLine {
		return fmt.Errorf("too many files to hand to the open window at once (%d)", len(files))
	}
	_, err = Ask(path, OpOpen+" "+string(list))
	return err
}

// ServeWindow answers a second start on ln until ln closes: open is
// given the files (none: only come to the front).
func ServeWindow(ln net.Listener, open func(files []string)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		go func() {
			defer c.Close()
			if checkPeer(c) != nil {
				return
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			line, err := readLine(c)
			if err != nil {
				return
			}
			rest, ok := strings.CutPrefix(line, Protocol+" "+OpOpen)
			var files []string
			if rest = strings.TrimSpace(rest); ok && rest != "" {
				ok = json.Unmarshal([]byte(rest), &files) == nil
			}
			if !ok {
				fmt.Fprintf(c, "err this window answers %s %s only\n", Protocol, OpOpen)
				return
			}
			// Taken before "ok": starts one after another are handed in
			// their order.
			open(files)
			fmt.Fprintln(c, "ok")
		}()
	}
}
