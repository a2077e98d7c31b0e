/** @type {import('next').NextConfig} */
const nextConfig = {
  // Created once by server.ts and shared through lib/server/registry.ts; bundling them
  // into route handlers would make second instances (two PGlite owners of one folder).
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "proper-lockfile",
    "chokidar",
    "node-cron",
    "socket.io",
    "engine.io",
  ],
  // Lets two builds (say, a developer's and a test run's) live side by side.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  // The app shows no remote images, and the optimizer at /_next/image fetches its `url` by
  // re-entering the router with the caller's method: off (it answers 404; the front door
  // refuses that path anyway).
  images: { unoptimized: true },
  // `npm test` type-checks the whole project (tests included) with tsc once; the build
  // need not do it a second time.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  typedRoutes: false,
};

export default nextConfig;
