// read-login.js: the Node side of the webapp's logins. A Node process
// using the real redis-sessions library reads the sessions that
// `go run ./examples/webapp -redis-sessions APP` writes, and sees who is
// logged in, from where, and what is in their cart.
//
//   go run ./examples/webapp -redis-sessions webapp   # log in at http://127.0.0.1:8080
//   (cd backends/redissessions/nodetest && npm ci)     # installs redis-sessions@4.0.0
//   NODE_PATH=backends/redissessions/nodetest/node_modules \
//     node examples/webapp/node/read-login.js webapp [TOKEN]
//
// Without TOKEN it lists the app's sessions active in the last ten
// minutes (Node's soapp). With TOKEN, the value of the __Host-session
// cookie, it reads that session with Node's get, which counts the read
// and slides its expiry as any Node reader would. REDIS_URL chooses the
// server (default redis://127.0.0.1:6379/0).
"use strict";
const RedisSessions = require("redis-sessions").default;

async function main() {
	const [app, token] = process.argv.slice(2);
	if (!app) {
		console.error("usage: node read-login.js APP [TOKEN]");
		process.exit(2);
	}
	const rs = new RedisSessions({ options: { url: process.env.REDIS_URL || "redis://127.0.0.1:6379/0" }, wipe: 0 });
	try {
		const sessions = token
			? [await rs.get({ app, token })].filter(Boolean)
			: (await rs.soapp({ app, deltaTime: 600 })).sessions;
		for (const s of sessions) {
			const d = s.d || {};
			console.log(JSON.stringify({
				user: d.user ?? null, // the app's login; Node's id is the same user
				id: s.id, ip: s.ip, reads: s.r, writes: s.w, idle: s.idle, ttl: s.ttl,
				count: d.count ?? 0, cart: d.cart ? JSON.parse(d.cart) : {},
			}));
		}
		if (sessions.length === 0) {
			console.log(token ? "no such session" : "no session active in the last ten minutes");
		}
	} finally {
		await rs.quit();
	}
}

main().catch((e) => {
	console.error(`${e.name}: ${e.message}`);
	process.exit(1);
});
