export { type BullmqBackend, type BullmqBackendOptions, createBullmqBackend } from './backend';
