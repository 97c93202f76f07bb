export type Services = {
  dir: string;
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
};
export function startServices(options?: { dir?: string }): Promise<Services>;
export function stopServices(dir: string): Promise<boolean>;
export function servicePids(dir: string): { postmaster: number; redis: number };
export function freePort(): Promise<number>;
export function killRedis(dir: string): Promise<void>;
export function startRedisAgain(dir: string): Promise<void>;
export function stopPostgresNow(dir: string): Promise<void>;
export function startPostgresAgain(dir: string): Promise<void>;
