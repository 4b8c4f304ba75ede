// Entry of an encode worker thread: registers tsx's TypeScript loader in this thread (Node 20 does not
// carry the parent's module hooks into workers), then loads the worker.
import { register } from 'tsx/esm/api';

register();
await import('./encode-worker.ts');
