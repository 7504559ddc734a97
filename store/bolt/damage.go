package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrDamaged is returned by Open for a file that is not a whole store: empty,
// cut short (an interrupted copy, a full disk), or with pages that do not
// hold together. Nothing was opened or changed, and retrying fails the same
// way until the file is replaced: restore it from a backup. The error names
// the file and what is wrong with it.
var ErrDamaged = errors.New("bolt: the store file is damaged")

// damaged is the error of a damaged file.
func damaged(path, format string, args ...any) error {
	return fmt.Errorf("bolt: open %s: %s; restore the file from a backup (rotor does not open or repair a damaged store, so that nothing more is lost): %w",
		path, fmt.Sprintf(format, args...), ErrDamaged)
}

// The layout of a bbolt meta page, which bbolt writes in the machine's byte
// order: a 16-byte page header, then magic, version, page size, flags (4
// bytes each), the root bucket's page and sequence, the freelist's page, the
// high-water mark (the number of pages in use), the transaction id and the
// FNV-64a checksum of everything before it (8 bytes each).
const (
	metaOffset       = 16
	metaLen          = 64
	metaChecksumAt   = 56
	bboltMagic       = 0xED0CDAED
	bboltVersion     = 2
	noFreelist       = ^uint64(0)
	maxPageSize      = 64 << 10
	firstMetaReadLen = 0x1000
)

// meta is what checkFile reads of a meta page.
type meta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pages    uint64
	txid     uint64
}

// parseMeta reads the meta page whose bytes start at b, reporting false
// when its magic, version or checksum is wrong (a torn or foreign page).
func parseMeta(b []byte) (meta, bool) {
	if len(b) < metaOffset+metaLen {
		return meta{}, false
	}
	m := b[metaOffset : metaOffset+metaLen]
	order := binary.NativeEndian
	sum := fnv.New64a()
	_, _ = sum.Write(m[:metaChecksumAt])
	if order.Uint32(m[0:]) != bboltMagic || order.Uint32(m[4:]) != bboltVersion || order.Uint64(m[metaChecksumAt:]) != sum.Sum64() {
		return meta{}, false
	}
	return meta{
		pageSize: order.Uint32(m[8:]),
		root:     order.Uint64(m[16:]),
		freelist: order.Uint64(m[32:]),
		pages:    order.Uint64(m[40:]),
		txid:     order.Uint64(m[48:]),
	}, true
}

// checkFile looks at an existing store file before bbolt maps it: bbolt
// validates its meta pages but not the file's length, and reading a page
// past the end of a mapped file kills the process with SIGBUS. It reports
// whether the file exists.
func checkFile(path string) (exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return true, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	size := info.Size()
	if size == 0 {
		return true, damaged(path, "the file is empty (0 bytes), so whatever it held is gone; if it is meant to be a new store, delete it and it is created again")
	}
	first := make([]byte, firstMetaReadLen)
	n, err := f.ReadAt(first, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return true, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	m0, ok0 := parseMeta(first[:n])
	// The second meta page is one page in: take the page size of the
	// first, or try the sizes bbolt may have used.
	sizes := []uint32{4096, 8192, 16384, 32768, 65536, 1024, 2048}
	if ok0 {
		sizes = []uint32{m0.pageSize}
	}
	var (
		m1  meta
		ok1 bool
	)
	for _, ps := range sizes {
		if ps < 1024 || ps > maxPageSize || int64(ps) >= size {
			continue
		}
		second := make([]byte, metaOffset+metaLen)
		if n, _ := f.ReadAt(second, int64(ps)); n == len(second) {
			if m1, ok1 = parseMeta(second); ok1 && m1.pageSize == ps {
				break
			}
			ok1 = false
		}
	}
	// bbolt uses the valid meta page with the later transaction.
	m := m0
	switch {
	case !ok0 && !ok1:
		return true, damaged(path, "neither of its two meta pages is valid: it is not a store file, or its beginning was overwritten")
	case !ok0 || ok1 && m1.txid > m0.txid:
		m = m1
	}
	if m.pageSize < 1024 || m.pageSize > maxPageSize {
		return true, damaged(path, "its meta page gives a page size of %d bytes", m.pageSize)
	}
	// Every page below the high-water mark must be in the file.
	if want := m.pages * uint64(m.pageSize); m.pages < 2 || uint64(size) < want {
		return true, damaged(path, "the file is %d bytes long, but its last committed transaction uses %d pages of %d bytes (%d bytes): it was cut short, by an interrupted copy or a full disk",
			size, m.pages, m.pageSize, want)
	}
	if m.root < 2 || m.root >= m.pages || m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.pages) {
		return true, damaged(path, "its meta page points outside the file (root page %d, freelist page %d, %d pages)", m.root, m.freelist, m.pages)
	}
	return true, nil
}

// verify reads every page of the store that a tree reaches, then runs
// bbolt's consistency check (every page in use once, or free). A damaged
// page makes bbolt panic or fault: verify turns that into an error, so a bad
// file is refused at Open rather than crashing the process later.
func verify(db *bbolt.DB) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading it failed: %v", r)
		}
	}()
	return db.View(func(tx *bbolt.Tx) error {
		if err := tx.ForEach(func(name []byte, b *bbolt.Bucket) error { return walk(b) }); err != nil {
			return err
		}
		// Drain the channel: the check runs in a goroutine of its own,
		// which must be done before the transaction ends.
		var first error
		for err := range tx.Check(bbolt.WithKVStringer(redacted{})) {
			if first == nil {
				first = fmt.Errorf("bbolt's consistency check: %w", err)
			}
		}
		return first
	})
}

// walk reads every page of b and of its nested buckets.
func walk(b *bbolt.Bucket) error {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			continue
		}
		nested := b.Bucket(k)
		if nested == nil {
			return fmt.Errorf("a key of a bucket is neither a value nor a bucket")
		}
		if err := walk(nested); err != nil {
			return err
		}
	}
	return nil
}

// openBBolt is bbolt.Open with its panics (a freelist page that is not
// one, say) and memory faults turned into an ErrDamaged error.
func openBBolt(path string, opts *bbolt.Options) (db *bbolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, damaged(path, "bbolt could not read it: %v", r)
		}
	}()
	db, err = bbolt.Open(path, 0o600, opts)
	if err != nil && !errors.Is(err, bolterrors.ErrTimeout) {
		if errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) || errors.Is(err, bolterrors.ErrVersionMismatch) {
			return nil, damaged(path, "%v", err)
		}
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return db, err
}

// closeQuietly closes a store found damaged, whose close may fault too.
func closeQuietly(db *bbolt.DB) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return db.Close()
}

// redacted prints keys and values of the check's messages as their length
// only: a record holds secret values.
type redacted struct{}

func (redacted) KeyToString(k []byte) string   { return fmt.Sprintf("<key of %d bytes>", len(k)) }
func (redacted) ValueToString(v []byte) string { return fmt.Sprintf("<value of %d bytes>", len(v)) }
