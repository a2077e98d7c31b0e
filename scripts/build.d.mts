export function serverBundle(): string;
export function serverArgs(): string[];
export function buildIsStale(): boolean;
export function buildApp(): Promise<void>;
export function ensureFreshBuild(): Promise<void>;
