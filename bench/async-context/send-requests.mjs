// Sends N GET /hello to 127.0.0.1:PORT over 4 keep-alive connections, reading every answer.
//   node send-requests.mjs PORT N
import http from 'node:http';

const [port, total] = [Number(process.argv[2]), Number(process.argv[3])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let sent = 0;

async function connection() {
  while (sent < total) {
    sent++;
    await new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/hello', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  }
}

await Promise.all([connection(), connection(), connection(), connection()]);
agent.destroy();
