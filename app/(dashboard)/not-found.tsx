import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { buttonClass } from "@/components/ui/button";

export default function NotFound() {
  return (
    <EmptyState
      title="Not found"
      actions={
        <Link href="/" className={buttonClass("primary")}>
          Back to the dashboard
        </Link>
      }
    >
      That task, conflict or sync run does not exist (any more).
    </EmptyState>
  );
}
