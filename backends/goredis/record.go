package goredis

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/typedsession/sessions"
)

// A record is stored as one Redis string: a fixed header, the owner, then
// the codec's payload. Integers are big-endian; instants are Unix
// milliseconds. The Lua scripts read the same offsets (1-based there).
//
//	offset  size  field
//	0       1     format (recordFormat)
//	1       8     version
//	9       8     created
//	17      8     expires
//	25      8     indexed: the owner index keeps this record's entry at least
//	              until this instant (0 when there is no owner)
//	33      1     flags (bit 0: persistent)
//	34      2     owner length n (at most sessions.MaxOwnerLen)
//	36      n     owner
//	36+n    ...   codec payload
const (
	recordFormat byte = 1

	offVersion  = 1
	offCreated  = 9
	offExpires  = 17
	offIndexed  = 25
	offFlags    = 33
	offOwnerLen = 34
	headerLen   = 36

	flagPersistent byte = 1
)

// header is a record's header as read back, with its payload.
type header struct {
	version    uint64
	created    int64
	expires    int64
	indexed    int64
	persistent bool
	owner      []byte // aliases the stored bytes
	payload    []byte // aliases the stored bytes
}

// appendRecord appends the stored form of rec, with the given version and
// indexed instant, to dst.
func appendRecord(dst []byte, version uint64, rec recordTimes, owner string, persistent bool, payload []byte) []byte {
	var flags byte
	if persistent {
		flags |= flagPersistent
	}
	dst = append(dst, recordFormat)
	dst = binary.BigEndian.AppendUint64(dst, version)
	dst = binary.BigEndian.AppendUint64(dst, uint64(rec.created))
	dst = binary.BigEndian.AppendUint64(dst, uint64(rec.expires))
	dst = binary.BigEndian.AppendUint64(dst, uint64(rec.indexed))
	dst = append(dst, flags)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(owner)))
	dst = append(dst, owner...)
	return append(dst, payload...)
}

// recordTimes are a record's instants in Unix milliseconds.
type recordTimes struct {
	created, expires, indexed int64
}

// parseHeader reads the header of a stored record. Anything that is not a
// well-formed record of this format is an error wrapping
// sessions.ErrDecode; it never reads past data.
func parseHeader(data []byte) (header, error) {
	if len(data) < headerLen {
		return header{}, fmt.Errorf("goredis: %w: %d bytes is shorter than a record header", sessions.ErrDecode, len(data))
	}
	if data[0] != recordFormat {
		return header{}, fmt.Errorf("goredis: %w: unknown record format %#x", sessions.ErrDecode, data[0])
	}
	flags := data[offFlags]
	if flags&^flagPersistent != 0 {
		return header{}, fmt.Errorf("goredis: %w: unknown record flags %#x", sessions.ErrDecode, flags)
	}
	n := int(binary.BigEndian.Uint16(data[offOwnerLen:]))
	if n > sessions.MaxOwnerLen || headerLen+n > len(data) {
		return header{}, fmt.Errorf("goredis: %w: owner length %d does not fit", sessions.ErrDecode, n)
	}
	h := header{
		version:    binary.BigEndian.Uint64(data[offVersion:]),
		created:    int64(binary.BigEndian.Uint64(data[offCreated:])),
		expires:    int64(binary.BigEndian.Uint64(data[offExpires:])),
		indexed:    int64(binary.BigEndian.Uint64(data[offIndexed:])),
		persistent: flags&flagPersistent != 0,
		owner:      data[headerLen : headerLen+n],
		payload:    data[headerLen+n:],
	}
	if h.version == 0 {
		return header{}, fmt.Errorf("goredis: %w: version 0", sessions.ErrDecode)
	}
	return h, nil
}

// live reports whether the record is live at nowMS: now is before
// ExpiresAt. Both are whole milliseconds, and for a whole-millisecond
// expiry e, now < e exactly when floor(now) < e.
func (h header) live(nowMS int64) bool { return nowMS < h.expires }

// toRecord decodes h's payload with codec and returns the whole record.
// The value shares nothing with the stored bytes.
func toRecord[V any](h header, codec sessions.Codec[V]) (sessions.Record[V], error) {
	v, err := codec.Unmarshal(h.payload)
	if err != nil {
		if !errors.Is(err, sessions.ErrDecode) { // a codec that forgot the rule
			err = fmt.Errorf("%w: %w", sessions.ErrDecode, err)
		}
		return sessions.Record[V]{}, fmt.Errorf("goredis: %w", err)
	}
	return sessions.Record[V]{
		Value:      v,
		CreatedAt:  timeOf(h.created),
		ExpiresAt:  timeOf(h.expires),
		Owner:      string(h.owner),
		Version:    h.version,
		Persistent: h.persistent,
	}, nil
}

// msOf returns t in Unix milliseconds, rounded down, so a stored expiry is
// never later than the one written.
func msOf(t time.Time) int64 { return t.UnixMilli() }

// timeOf returns the instant of Unix milliseconds ms, in UTC.
func timeOf(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
