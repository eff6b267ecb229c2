// A "server" that only stays up, in plain JavaScript so starting dozens of them is cheap.
setInterval(() => {}, 60_000);
