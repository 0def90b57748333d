/** The web GUI host of the daemon. */
export { startWebGui, type WebGui, type WebGuiOptions } from './start-web-gui';
export { assertGuiHostAllowed, isLoopbackHost, parseGuiAddress, remoteGuiWarning, type GuiAddress } from './gui-address';
