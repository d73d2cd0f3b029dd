// fcgi-post.mjs: one POST to a FastCGI responder on a unix socket, with a body of no declared length (as a chunked request passed on as it arrives) or one longer than what is sent, to see how much of it the responder reads.
//
// Usage: node fcgi-post.mjs SOCKET PATH TOKEN BYTES [DECLARED]
// Sends REQUEST_METHOD, REQUEST_URI, CONTENT_TYPE and HTTP_AUTHORIZATION
// (CONTENT_LENGTH only if DECLARED is given), then BYTES of spaces as stdin
// records while the responder takes them, and prints the response (its
// stdout records) once the responder ends the request.  Whatever it did not
// read is dropped.  With DECLARED, the body is never ended: the rest of it
// is held back, as a slow client would, so only a responder that answers
// from the headers ends the request.
import net from 'node:net';

const [sock, path, token, bytesArg, declared] = process.argv.slice(2);
const total = Number(bytesArg);
const ID = 1;
const BEGIN_REQUEST = 1, END_REQUEST = 3, PARAMS = 4, STDIN = 5, STDOUT = 6;

function record(type, content = Buffer.alloc(0)) {
	const h = Buffer.alloc(8);
	h.writeUInt8(1, 0);
	h.writeUInt8(type, 1);
	h.writeUInt16BE(ID, 2);
	h.writeUInt16BE(content.length, 4);
	return Buffer.concat([h, content]);
}

function length(n) {
	if (n < 128)
		return Buffer.from([n]);
	const b = Buffer.alloc(4);
	b.writeUInt32BE((n | 0x80000000) >>> 0);
	return b;
}

function params(obj) {
	const parts = [];
	for (const [k, v] of Object.entries(obj))
		parts.push(length(k.length), length(Buffer.byteLength(v)),
		    Buffer.from(k), Buffer.from(v));
	return Buffer.concat(parts);
}

const c = net.createConnection(sock);
const timer = setTimeout(() => {
	console.error('fcgi-post: no end of request within 120 s');
	process.exit(2);
}, 120000);
let out = Buffer.alloc(0), inbuf = Buffer.alloc(0), sent = 0, ended = false;

// Writes stdin records while the socket takes them, then the end of stdin.
function pump() {
	const chunk = Buffer.alloc(16384, ' ');
	while (!ended && sent < total) {
		const n = Math.min(chunk.length, total - sent);
		sent += n;
		if (!c.write(record(STDIN, chunk.subarray(0, n)))) {
			c.once('drain', pump);
			return;
		}
	}
	if (!ended && declared === undefined)
		c.write(record(STDIN));
}

c.on('connect', () => {
	c.write(record(BEGIN_REQUEST, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])));
	c.write(record(PARAMS, params({
		REQUEST_METHOD: 'POST', REQUEST_URI: path, SCRIPT_NAME: '',
		PATH_INFO: path, CONTENT_TYPE: 'application/json',
		HTTP_AUTHORIZATION: `Bearer ${token}`,
		...(declared === undefined ? {} : { CONTENT_LENGTH: declared }),
	})));
	c.write(record(PARAMS));
	pump();
});
c.on('data', (d) => {
	inbuf = Buffer.concat([inbuf, d]);
	while (inbuf.length >= 8) {
		const len = inbuf.readUInt16BE(4), pad = inbuf.readUInt8(6);
		if (inbuf.length < 8 + len + pad)
			break;
		const type = inbuf.readUInt8(1);
		if (type === STDOUT)
			out = Buffer.concat([out, inbuf.subarray(8, 8 + len)]);
		inbuf = inbuf.subarray(8 + len + pad);
		if (type === END_REQUEST) {
			ended = true;
			clearTimeout(timer);
			process.stdout.write(out);
			c.destroy();
			return;
		}
	}
});
c.on('error', (e) => {
	// The responder closing with our records unread is what is tested.
	if (!ended && e.code !== 'EPIPE' && e.code !== 'ECONNRESET') {
		console.error(`fcgi-post: ${e.message}`);
		process.exit(2);
	}
});
