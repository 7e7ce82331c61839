// The inspector's paths in WebKit (every browser on an iPhone): WebKitGTK's MiniBrowser.
import { launchWebKit } from '../support/engines/webkit.ts';
import { enginePaths } from './engine-paths.ts';

enginePaths(launchWebKit);
