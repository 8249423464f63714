// Baseline for the benchmark: a bare Node `http` server doing the trivial part of what the API does
// per request (read the JSON body, JSON.parse it, answer 200 with a small JSON document), with no
// framework, no auth, no validation, no logging and no storage. run.mjs divides the API's throughput
// by this server's to show what the full stack costs.
//
// Started by run.mjs with child_process.fork(): it listens on 127.0.0.1 on a free port (port 0) and
// reports the port through the IPC channel as { ready: true, port }. It stops on SIGTERM.

import http from 'node:http';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let parsed;
    try {
      parsed = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"invalid json"}');
      return;
    }
    // A small JSON answer, comparable in size and shape to the verify response.
    const body = JSON.stringify({
      valid: true,
      reason: 'ok',
      keys: parsed && typeof parsed === 'object' ? Object.keys(parsed).length : 0,
      checkedAt: new Date().toISOString(),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ ready: true, port });
  else process.stdout.write(`bare server listening on http://127.0.0.1:${port}\n`);
});

// Stop accepting, drop keep-alive connections, and exit once closed.
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
