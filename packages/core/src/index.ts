export * from './backend';
export * from './errors';
export * from './model';
export * from './api';
export * from './preview';
export * from './service';
