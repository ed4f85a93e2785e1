package bridge

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// checkPeer refuses a connection whose other end runs as another user:
// the kernel says who (SO_PEERCRED), whatever the socket's mode.
func checkPeer(c net.Conn) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("not a Unix socket")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return fmt.Errorf("who is at the other end of the agent's socket: %w", credErr)
	}
	if int(cred.Uid) != os.Getuid() {
		return fmt.Errorf("the other end of the agent's socket runs as user %d, not %d", cred.Uid, os.Getuid())
	}
	return nil
}
