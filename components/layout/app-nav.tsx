"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

function isCurrent(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/" || pathname.startsWith("/tasks");
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function AppNav({ openConflicts, admin = false }: { openConflicts: number; admin?: boolean }) {
  const pathname = usePathname();
  const links = [
    { href: "/", label: "Dashboard" },
    { href: "/schedule", label: "Schedule" },
    { href: "/conflicts", label: "Conflicts", count: openConflicts },
    { href: "/history", label: "History" },
    ...(admin ? [{ href: "/people", label: "People" }] : []),
    ...(admin ? [{ href: "/webhooks", label: "Webhooks" }] : []),
  ];
  return (
    <nav aria-label="Main" className="min-w-0">
      <ul className="flex flex-wrap items-center gap-1">
        {links.map((link) => {
          const current = isCurrent(pathname, link.href);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={current ? "page" : undefined}
                className={`inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium ${
                  current ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-200"
                }`}
              >
                {link.label}
                {link.count !== undefined && link.count > 0 && (
                  <span
                    data-testid="conflict-count"
                    className={`min-w-5 rounded-full px-1.5 text-center text-xs font-semibold ${current ? "bg-amber-300 text-slate-900" : "bg-amber-500 text-slate-950"}`}
                  >
                    {link.count}
                    <span className="sr-only"> open</span>
                  </span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
