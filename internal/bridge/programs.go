package bridge

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Signet is two programs installed side by side: signet (the command
// line and the agent, no Fyne) and signet-app (the window). Each finds
// the other beside itself, else on PATH; SIGNET_APP and SIGNET_CLI name
// them otherwise (tests, unusual installs).

// WindowProgram finds the window program.
func WindowProgram() (string, error) { return program("SIGNET_APP", "signet-app") }

// CLIProgram finds the command-line program (which runs the agent).
func CLIProgram() (string, error) { return program("SIGNET_CLI", "signet") }

func program(env, name string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("the %s program is installed neither beside this one nor on PATH (%s may name it)", name, env)
	}
	return p, nil
}

// WindowCommand is how an agent listening on socket starts its window.
func WindowCommand(socket string) (*exec.Cmd, error) {
	p, err := WindowProgram()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(p)
	cmd.Env = append(os.Environ(), SocketEnv+"="+socket)
	return cmd, nil
}

// StartAgent starts signet agent in the background, in a session of its
// own (it outlives the window that starts it), and waits until it
// answers on socket.
func StartAgent(socket string) error {
	p, err := CLIProgram()
	if err != nil {
		return err
	}
	cmd := exec.Command(p, "agent")
	cmd.Env = append(os.Environ(), SocketEnv+"="+socket)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// What the agent says goes to agent.log beside its socket (a file:
	// a pipe would break when this window ends, and the agent with it);
	// when it ends at once, that is why.
	if err := privateDir(filepath.Dir(socket)); err != nil {
		return fmt.Errorf("the agent's socket directory: %w", err)
	}
	logPath := filepath.Join(filepath.Dir(socket), "agent.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the agent (%s agent): %w", p, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if _, err := Ask(socket, OpPing); err == nil {
			return nil
		}
		select {
		case err := <-exited:
			// "signet agent" ends at once when another agent won the
			// race to the lock: that one is there to be asked.
			if _, perr := Ask(socket, OpPing); perr == nil {
				return nil
			}
			said, _ := os.ReadFile(logPath)
			if len(said) > 2048 {
				said = said[len(said)-2048:]
			}
			return fmt.Errorf("the agent ended at once (%v): %s", err, strings.TrimSpace(string(said)))
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New("the agent did not answer within 10 s")
}
