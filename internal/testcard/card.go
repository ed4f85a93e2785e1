package testcard

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// vpcd's protocol (vsmartcard's "Creating a virtual smart card"): every
// message is a 2-byte big-endian length and its bytes. A 1-byte message
// from the reader is a control: power off, power on, reset (no answer),
// or ATR (answered with the ATR). Any other message is a command APDU,
// answered with the response APDU.
const (
	ctrlOff   = 0x00
	ctrlOn    = 0x01
	ctrlReset = 0x02
	ctrlATR   = 0x04
)

// Environment of the card process: the test binary started again with
// envCard set runs the card instead of its tests (see init).
const (
	envCard      = "SIGNET_TESTCARD"       // "1": be the card
	envCardDB    = "SIGNET_TESTCARD_DB"    // NSS database directory
	envCardCerts = "SIGNET_TESTCARD_CERTS" // certificate nicknames, comma-separated
	envCardAddr  = "SIGNET_TESTCARD_ADDR"  // vpcd's address
)

func init() {
	if os.Getenv(envCard) != "1" {
		return
	}
	if err := runCard(os.Getenv(envCardDB), strings.Split(os.Getenv(envCardCerts), ","), os.Getenv(envCardAddr)); err != nil {
		fmt.Fprintln(os.Stderr, "testcard:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runCard is the card process: in pcscd's network namespace (nsenter), it
// brings the loopback up, emulates the card and serves vpcd until vpcd
// closes the connection or the process is killed (the card pulled out).
func runCard(db string, certs []string, addr string) error {
	if err := loopbackUp(); err != nil {
		return err
	}
	card, err := newEmulator(db, "Signet virtual card", certs)
	if err != nil {
		return err
	}
	var conn net.Conn
	for deadline := time.Now().Add(10 * time.Second); ; {
		if conn, err = net.Dial("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("connect to vpcd: %w", err)
	}
	defer conn.Close()
	return serve(conn, card)
}

// serve answers vpcd's messages with the card until the connection ends.
func serve(conn net.Conn, card *emulator) error {
	var lenBuf [2]byte
	var atr []byte // of the last power on
	powered := false
	for {
		quickAck(conn)
		if _, err := io.ReadFull(conn, lenBuf[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		msg := make([]byte, binary.BigEndian.Uint16(lenBuf[:]))
		if _, err := io.ReadFull(conn, msg); err != nil {
			return err
		}
		var answer []byte
		if os.Getenv("SIGNET_TESTCARD_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "vpcd: % x\n", msg)
		}
		if len(msg) == 1 {
			switch msg[0] {
			case ctrlOff:
				card.powerOff()
				continue
			case ctrlOn, ctrlReset:
				var err error
				if atr, err = card.powerOn(); err != nil {
					return err
				}
				if !powered {
					// pcscd powers a card on once it has seen it
					// inserted: clients see it from now on.
					powered = true
					fmt.Println("card powered") // the test waits for this line
				}
				continue
			case ctrlATR:
				// vpcd asks the ATR to learn whether a card is
				// present, every few hundred milliseconds: a power on
				// here would reset the card under its user.
				if atr == nil {
					var err error
					if atr, err = card.powerOn(); err != nil {
						return err
					}
				}
				answer = atr
			default:
				return fmt.Errorf("unknown vpcd control %#x", msg[0])
			}
		} else {
			var err error
			if answer, err = card.transmit(msg); err != nil {
				return err
			}
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(answer)))
		if _, err := conn.Write(append(out, answer...)); err != nil {
			return err
		}
	}
}

// quickAck acknowledges what vpcd sends at once: vpcd writes a message's
// length and its bytes separately, and the second write waits for the
// first's acknowledgement (Nagle), which Linux delays by 40 ms otherwise:
// every APDU would take 40 ms more.
func quickAck(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		if raw, err := tc.SyscallConn(); err == nil {
			raw.Control(func(fd uintptr) {
				_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_QUICKACK, 1)
			})
		}
	}
}

// loopbackUp brings up "lo" in a new network namespace, where it starts
// down: vpcd listens there.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("read the loopback's flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring the loopback up: %w", err)
	}
	return nil
}
