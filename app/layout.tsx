import type { Metadata } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: "schedule-sync",
  description: "Scheduled tasks kept in sync between a YAML file and a database",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request, so each carries that request's CSP nonce on its scripts
  // (lib/http/security-headers.ts); a prerendered page (the 404) would have none and not run.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
