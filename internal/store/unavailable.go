package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"syscall"

	"github.com/lib/pq"
)

// Unavailable reports whether err says the database could not be reached
// (it is down, restarting, or refusing connections) rather than that the
// request or the code is at fault: a retry a little later may succeed, and
// database/sql reconnects by itself once the server is back. A cancelled or
// timed-out context is never unavailability (the request ran out of time).
// See the package documentation for what counts.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
		pqErr  *pq.Error
	)
	switch {
	case errors.Is(err, driver.ErrBadConn),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.As(err, &opErr),
		errors.As(err, &dnsErr):
		return true
	case errors.As(err, &pqErr):
		return unavailableCode(string(pqErr.Code))
	}
	return false
}

// unavailableCode reports the SQLSTATEs of a server that cannot take the
// connection now: shutting down (57P01 admin, 57P02 crash), starting up
// (57P03), full (53300 too many connections), or a connection exception
// (class 08).
func unavailableCode(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03", "53300":
		return true
	}
	return len(code) == 5 && code[:2] == "08"
}
