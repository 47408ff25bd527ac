import type { Route } from '../context.ts';

export const routes: Route[] = [];
