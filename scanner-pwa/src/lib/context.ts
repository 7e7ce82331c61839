// The App object, handed to every component through Svelte's context.
import { getContext, setContext } from 'svelte';
import type { App } from './app.svelte.ts';

const KEY = Symbol('gatekeeper-app');
export const provideApp = (app: App): App => setContext(KEY, app);
export const useApp = (): App => getContext<App>(KEY);
