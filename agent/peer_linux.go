package agent

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// peerUID finds the user that owns the client end of a loopback TCP
// connection: the kernel lists every socket with its owner in
// /proc/net/tcp (tcp6 for IPv6), where the client's socket is the one
// whose local address is the connection's remote one. ok is false when
// it is not found (the client has gone).
func peerUID(remote, local *net.TCPAddr) (uid int, ok bool) {
	file := "/proc/net/tcp"
	if remote.IP.To4() == nil {
		file = "/proc/net/tcp6"
	}
	f, err := os.Open(file)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	want, peer := procAddr(remote), procAddr(local)
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || fields[1] != want || fields[2] != peer {
			continue
		}
		n, err := strconv.Atoi(fields[7])
		return n, err == nil
	}
	return 0, false
}

// procAddr writes an address as /proc/net/tcp does: the IP's 32-bit
// words each in host (little-endian) order, in hex, then the port.
func procAddr(a *net.TCPAddr) string {
	ip := a.IP.To4()
	if ip == nil {
		ip = a.IP.To16()
	}
	var b strings.Builder
	for i := 0; i+4 <= len(ip); i += 4 {
		var w [4]byte
		binary.LittleEndian.PutUint32(w[:], binary.BigEndian.Uint32(ip[i:i+4]))
		b.WriteString(strings.ToUpper(hex.EncodeToString(w[:])))
	}
	return fmt.Sprintf("%s:%04X", b.String(), a.Port)
}

// sameUser reports whether the connection's client runs as this user;
// known is false when that cannot be told.
func sameUser(remote, local net.Addr) (same, known bool) {
	r, ok1 := remote.(*net.TCPAddr)
	l, ok2 := local.(*net.TCPAddr)
	if !ok1 || !ok2 {
		return false, false
	}
	uid, ok := peerUID(r, l)
	if !ok {
		return false, false
	}
	return uid == os.Getuid(), true
}
