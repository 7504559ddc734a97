package cache

// recency orders entries from the most to the least recently used. The
// links live in the entries, so moving one costs no allocation.
type recency struct{ root entry }

func (r *recency) init() { r.root.prev, r.root.next = &r.root, &r.root }

func (r *recency) pushFront(e *entry) {
	e.prev, e.next = &r.root, r.root.next
	e.next.prev = e
	r.root.next = e
}

func (r *recency) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (r *recency) moveToFront(e *entry) {
	if r.root.next == e {
		return
	}
	r.unlink(e)
	r.pushFront(e)
}

// oldest returns the least recently used entry, or nil.
func (r *recency) oldest() *entry {
	if r.root.prev == &r.root {
		return nil
	}
	return r.root.prev
}
