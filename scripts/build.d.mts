export function serverBundle(): string;
export function serverArgs(): string[];
export function buildApp(): Promise<void>;
