// Vite plugins for the scanner PWA build (Svelte, the service worker). Filled in by the PWA work.
import type { PluginOption } from 'vite';

export function pwaPlugins(): PluginOption[] {
  return [];
}
