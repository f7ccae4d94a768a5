export * from './backend';
export * from './errors';
export * from './model';
