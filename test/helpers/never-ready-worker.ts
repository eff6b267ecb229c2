// A server that boots but whose worker never comes up: no heartbeat, ever.
setInterval(() => {}, 60_000);
