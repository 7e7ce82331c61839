// The inspector's paths in Gecko (Firefox on Android): Firefox ESR.
import { launchFirefox } from '../support/engines/firefox.ts';
import { enginePaths } from './engine-paths.ts';

enginePaths(launchFirefox);
