"use client";

import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";

export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="py-10">
      <Notice
        tone="error"
        title="This page could not be loaded"
        actions={
          <Button variant="primary" onClick={() => reset()}>
            Try again
          </Button>
        }
      >
        <p>{error.message && !error.message.startsWith("An error occurred in the Server Components render") ? error.message : "The server hit an error while reading the data."}</p>
        {error.digest && <p className="text-xs">Reference: {error.digest}</p>}
      </Notice>
    </div>
  );
}
