// Package sealed keeps sessions in the client's cookie: each record is
// sealed (encrypted and authenticated) into the token, so no server-side
// store is needed. A [Store] is a [sessions.TokenStore]; pass it to
// [sessions.NewWithStore] and use the Manager as with any other store:
// every write returns a session whose token is the newly sealed record.
//
//	ring, err := sealed.NewKeyRing(secret) // at least 32 random bytes
//	store, err := sealed.New[Cart](ring)
//	m, err := sessions.NewWithStore[Cart](store)
//
// # Format
//
// A token is base64url without padding, in one canonical spelling, of
//
//	version (1 byte) ‖ key ID (4) ‖ nonce (24) ‖ ciphertext ‖ tag (16)
//
// sealed with XChaCha20-Poly1305 under a fresh random nonce. The plaintext
// is a compact binary header (a random 16-byte session ID, the record's
// version, CreatedAt and ExpiresAt in Unix milliseconds, the owner, the
// persistent flag and the owner's revocation generation) followed by the
// codec's encoding of the value ([sessions.JSON] unless [WithCodec] says
// otherwise). The version, the key ID, the cookie name ([WithCookieName])
// and a purpose ([WithPurpose]) are the associated data: a token sealed
// for another cookie or purpose does not open. Times are kept to the
// millisecond, rounded down.
//
// There is one format and no fallback: a token of another version, or
// sealed with a key not in the ring, is refused as tampered.
//
// # Identity and CSRF
//
// A session's [sessions.ID] is SHA-256 of a label and its random session
// ID. It stays the same across writes and key rotations and changes on
// Renew, as with server-side stores. The session's secret (the root of
// its CSRF tokens) is another hash of the random session ID, which only
// the key holders can read; it too survives writes and key rotations.
//
// # Deadlines
//
// Every deadline is read from the authenticated header: a token past its
// ExpiresAt gives [sessions.ErrExpired], and the Manager recomputes the
// absolute cap from CreatedAt and its current lifetime. The cookie's own
// Max-Age is cosmetic. A token whose CreatedAt lies more than
// [MaxClockSkew] after now is refused as tampered: no honest server
// issued it.
//
// # Keys
//
// A [KeyRing] holds the keys, derived once with HKDF-SHA256 from master
// secrets of at least 32 bytes: one seals, all open. A token sealed with
// an older key is sealed again with the current one on the session's
// next write, never on a read. See [KeyRing] for the rotation procedure.
//
// # What Clear cannot do without revocation
//
// Without revocation nothing is kept on the server, so nothing can be
// deleted there. Clear and Renew make the Manager send headers that
// replace or expire the cookie, but a copy of the old cookie, taken
// before (by an attacker, a proxy log, a backup of the browser profile),
// stays valid until its own deadline: at most the idle timeout after its
// last write and never past CreatedAt plus the lifetime. Keep the idle
// timeout short, or enable revocation, if that matters.
//
// Without revocation, ClearOwner returns [sessions.ErrUnsupported], and
// two concurrent Renews of one session may both succeed.
//
// # Revocation
//
// [WithRevocation] takes any [sessions.Backend] of [Revocation] values
// (the memory store for one process, the Redis or PostgreSQL store for
// several) and the Manager's lifetime:
//
//   - Clear and Renew record the old session's ID until CreatedAt plus the
//     lifetime, when no copy of the cookie can open any more; the record
//     then expires on its own.
//   - ClearOwner records a new generation for the owner (with the session
//     it spares). Sessions seal the generation current when they were
//     created, so every session created before the clear is refused. It
//     reports 0: sessions that live in cookies cannot be counted.
//   - Listing an owner's sessions is not possible: the Manager's Sessions
//     returns [sessions.ErrUnsupported].
//
// What revocation costs, in reads of the revocation store:
//
//   - reading a session (OfKey, OfHeader): one read for a session without
//     an owner, two for an owned one (the session's record, then the
//     owner's);
//   - writing a session (Set, Update, a Touch that writes): the same
//     again, since the presented cookie is checked before it is
//     re-sealed;
//   - creating an owned session (Generate with WithOwner, Renew of an
//     owned session): one read of the owner's generation;
//   - Clear: one write; Renew: a conditional create of the old session's
//     record; ClearOwner: one read and one write.
//
// Revocation fails closed. A session's revocation record that no longer
// decodes still says "revoked". An owner's record that no longer decodes
// (say, its backend's codec changed) refuses every session of the owner,
// and creating one (Generate with WithOwner, a Renew that logs in) fails
// with [sessions.ErrBackend], until ClearOwner for the owner writes the
// record afresh.
//
// # Limits
//
//   - The whole Set-Cookie header must fit in 4096 bytes, name and
//     attributes included. A write whose cookie would not fit returns
//     [sessions.ErrCookieTooLarge] and no header, and the previous cookie
//     stays valid. Input longer than the longest token is refused before
//     it is decoded.
//   - A write cannot see writes made through other copies of the cookie
//     (concurrent requests): each gets a valid token, and the client keeps
//     whichever response arrives last. Update's retry on conflict does not
//     apply.
//   - Everything in a token is encrypted, but its length shows: the
//     token's size reveals the size of the encoded value and owner.
//   - Tokens are bearer credentials in the clear on the client, outside
//     the hashed-at-rest guarantee of server-side stores.
package sealed
