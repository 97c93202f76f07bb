export function chromiumPath(): string | null;
export function firefoxPath(): string | null;
export function nginxPath(): string | null;
export function checkBrowserPrerequisites(): string[];
export function checkServicePrerequisites(): string[];
