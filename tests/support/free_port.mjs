// A free loopback port for the node tests, as test::free_port() picks one for the C++ tests:
// below Linux's ephemeral range (32768-60999), so that no client connection of a test running
// beside it (10,000 idle connections, kill -9 rounds) holds it as its local port by the time
// the tool binds it. 32000-32767: apart from the C++ tests' 20000-31999.
import { createServer } from 'node:net';

function bindable(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort() {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 32000 + Math.floor(Math.random() * 768);
    if (await bindable(port)) return port;
  }
  throw new Error('no free port in 32000-32767');
}
