// `npm run sync -- <command>` and bin/schedule-sync.mjs: the process around cli().
import { cli } from "./cli";

// `schedule-sync diff | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}
const stdin = async () => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};
const code = await cli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), stdin });
process.exitCode = code;
// Everything is closed by now; should a library still hold a handle, a finished command exits anyway.
setTimeout(() => process.exit(code), 3_000).unref();
