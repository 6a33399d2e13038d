package snapshot

import (
	"errors"
	"slices"
)

// Stream is a snapshot read object by object, in snapshot order (kind, then key), so that a
// comparison can hold one side of it at a time rather than the whole. The envelope (engine,
// versions, source) is known before the first object; Unsupported, which a file holds after the
// objects, once Next has returned the end.
type Stream interface {
	// Envelope is the snapshot without its objects.
	Envelope() *Snapshot
	// Next returns the next object, or nil at the end. An object out of order is an error
	// (ErrUnsorted), never silently reordered.
	Next() (*Object, error)
}

// ErrUnsorted is the error of a stream whose objects are not in snapshot order (a snapshot file
// edited by hand, or merged by a version-control tool): it must be read whole and normalized.
var ErrUnsorted = errors.New("the snapshot's objects are not in order")

// Stream returns the snapshot's objects as a stream. A snapshot that is not in order (built by
// hand and never normalized) is streamed from a sorted copy; of two objects with one identity,
// the first is kept. A nil snapshot is an empty one.
func (s *Snapshot) Stream() Stream {
	if s == nil {
		return &sliceStream{env: &Snapshot{}}
	}
	objects := s.Objects
	if !strictlyIncreasing(objects) {
		objects = slices.Clone(objects)
		slices.SortStableFunc(objects, compareObjects)
		objects = slices.CompactFunc(objects, func(a, b Object) bool { return a.Kind == b.Kind && a.Key == b.Key })
	}
	env := *s
	env.Objects = nil
	return &sliceStream{env: &env, objects: objects}
}

type sliceStream struct {
	env     *Snapshot
	objects []Object
	i       int
}

func (s *sliceStream) Envelope() *Snapshot { return s.env }

func (s *sliceStream) Next() (*Object, error) {
	if s.i >= len(s.objects) {
		return nil, nil
	}
	s.i++
	return &s.objects[s.i-1], nil
}
