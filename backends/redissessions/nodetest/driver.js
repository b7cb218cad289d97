// Drives the real redis-sessions library for the Go tests: one JSON
// request per line on stdin, one JSON answer per line on stdout.
//
//   {"id": 1, "inst": "plain", "op": "create", "args": {...}}
//   -> {"id": 1, "ok": <result>} or {"id": 1, "err": {"name": ..., "message": ...}}
//
// Two instances share the namespace: "plain" (no cache) and "cached"
// (cachetime 300, so only the ns:cache channel can make it see changes).
// Neither wipes on its own; the op "wipe" runs the library's wiper once.
"use strict";
const readline = require("node:readline");
const RedisSessions = require("redis-sessions").default;

const url = process.env.REDIS_URL;
const namespace = process.env.RS_NAMESPACE;
if (!url || !namespace) {
	process.stderr.write("driver.js needs REDIS_URL and RS_NAMESPACE\n");
	process.exit(2);
}

const instances = {
	plain: new RedisSessions({ options: { url }, namespace, wipe: 0 }),
	cached: new RedisSessions({ options: { url }, namespace, wipe: 0, cachetime: 300 }),
};

async function run(req) {
	const rs = instances[req.inst || "plain"];
	if (!rs) {
		throw new Error(`no instance ${req.inst}`);
	}
	switch (req.op) {
		case "wipe":
			await rs._wipe();
			return null;
		case "create": case "get": case "set": case "kill": case "soid": case "killsoid":
		case "activity": case "soapp": case "killall": case "ping":
			return await rs[req.op](req.args || {});
		default:
			throw new Error(`unknown op ${req.op}`);
	}
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
let queue = Promise.resolve();
rl.on("line", (line) => {
	// One request at a time, in order, as the Go side expects.
	queue = queue.then(async () => {
		const req = JSON.parse(line);
		let answer;
		try {
			answer = { id: req.id, ok: (await run(req)) ?? null };
		} catch (e) {
			answer = { id: req.id, err: { name: e.name, message: e.message } };
		}
		process.stdout.write(JSON.stringify(answer) + "\n");
	});
});
rl.on("close", () => {
	queue.then(async () => {
		for (const rs of Object.values(instances)) {
			await rs.quit();
			if (rs.redissub) {
				await rs.redissub.quit();
			}
		}
		process.exit(0);
	});
});
