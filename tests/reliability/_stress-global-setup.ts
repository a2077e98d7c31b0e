import { ensurePostgresUp } from "./_postgres-cluster";

/** `npm run test:stress` global setup: whatever happened, leave PostgreSQL running. */
export default function setup() {
  return async () => {
    await ensurePostgresUp();
  };
}
