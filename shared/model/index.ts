export * from './annotation.ts';
export * from './canonical-url.ts';
export * from './hash.ts';
export * from './room.ts';
export * from './team-room.ts';
export * from './tags.ts';
export * from './tag-renames.ts';
