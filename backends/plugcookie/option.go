package plugcookie

// Option configures a Store; pass options to [New].
type Option func(*config)

type config struct {
	rotating     []Options
	withoutExtra bool
	foreign      bool
}

// WithRotatingOptions adds older sets of options that still read cookies,
// tried in order after the current one: Plug's rotating_options. A cookie
// one of them reads is written again with the current options on the
// session's next write, never on a read. Remove a set once no cookie it
// wrote can be live (the Manager's lifetime after the rotation).
func WithRotatingOptions(older ...Options) Option {
	return func(c *config) { c.rotating = append(c.rotating, older...) }
}

// WithoutExtra lets a struct value type lack an [Extra] field. Keys of the
// session that no field names are then dropped by every Go write: use it
// only when Go owns every key of the session.
func WithoutExtra() Option {
	return func(c *config) { c.withoutExtra = true }
}

// WithOwnSessionsOnly makes the store read only sessions that Go wrote
// (those holding [MetaKey]), so every session it reads carries the
// Manager's deadlines. By default it also reads sessions the Phoenix app
// wrote alone, which carry none: see the package documentation.
func WithOwnSessionsOnly() Option {
	return func(c *config) { c.foreign = false }
}
