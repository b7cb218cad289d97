package sessions

import "github.com/samber/mo"

// Future is the eventual outcome of an [Async] operation. It settles
// exactly once, and so does every future chained from it: a callback
// given to Then, Catch or Finally that panics settles its own future with
// an error, so Collect never waits forever and the program does not crash.
//
// It wraps a [mo.Future] rather than returning one because mo runs a
// continuation inside the goroutine that settles its parent, where a
// panic would leave both futures unsettled, and keeps one continuation
// per future, so a second Then would orphan the first. Here every
// continuation waits on its own goroutine. There is no Cancel: an
// operation in flight stops only through its ctx.
type Future[T any] struct{ f *mo.Future[T] }

// Collect waits for the future to settle and returns its outcome.
func (f *Future[T]) Collect() (T, error) { return f.f.Collect() }

// Result is Collect as a [mo.Result].
func (f *Future[T]) Result() mo.Result[T] { return mo.TupleToResult(f.Collect()) }

// Either is Collect as a [mo.Either]: the error on the left, the value on
// the right.
func (f *Future[T]) Either() mo.Either[error, T] {
	v, err := f.Collect()
	if err != nil {
		return mo.Left[error, T](err)
	}
	return mo.Right[error](v)
}

// Then returns a future that settles with cb's outcome on f's value once
// f succeeds, or with f's error, without calling cb, once it fails.
func (f *Future[T]) Then(cb func(T) (T, error)) *Future[T] {
	return future(func() (T, error) {
		v, err := f.Collect()
		if err != nil {
			return v, err
		}
		return cb(v)
	})
}

// Catch returns a future that settles with cb's outcome on f's error once
// f fails, or with f's value, without calling cb, once it succeeds.
func (f *Future[T]) Catch(cb func(error) (T, error)) *Future[T] {
	return future(func() (T, error) {
		v, err := f.Collect()
		if err == nil {
			return v, nil
		}
		return cb(err)
	})
}

// Finally returns a future that settles with cb's outcome on f's value
// and error, whichever way f settles.
func (f *Future[T]) Finally(cb func(T, error) (T, error)) *Future[T] {
	return future(func() (T, error) { return cb(f.Collect()) })
}
