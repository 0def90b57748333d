/** The system tray icon and its menu: maps the pure specs of tray-menu.ts onto Electron's Tray and Menu. */
import { join } from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { buildTrayMenu, statusLine, trayIconFor, type MenuItemSpec, type TrayAction, type TrayModelInput } from './tray-menu';

/** Owns the Tray; call `update` on every state change (it redraws only what changed). */
export class TrayController {
  private readonly tray: Tray;
  private readonly images = new Map<string, NativeImage>();
  private lastMenu = '';
  private lastIcon = '';
  private lastTooltip = '';

  constructor(
    private readonly assetsDir: string,
    private readonly onAction: (action: TrayAction) => void,
    initial: TrayModelInput,
  ) {
    this.tray = new Tray(this.image(this.iconName(initial)));
    // Windows and most Linux trays: a click opens the window; the menu is on right click.
    this.tray.on('click', () => this.onAction({ type: 'openWindow' }));
    this.update(initial);
  }

  /** Redraw icon, tooltip and menu for `input`. */
  update(input: TrayModelInput): void {
    const icon = this.iconName(input);
    if (icon !== this.lastIcon) {
      this.tray.setImage(this.image(icon));
      this.lastIcon = icon;
    }
    const tooltip = `Ferry — ${statusLine(input)}`;
    if (tooltip !== this.lastTooltip) {
      this.tray.setToolTip(tooltip);
      this.lastTooltip = tooltip;
    }
    const specs = buildTrayMenu(input);
    const key = JSON.stringify(specs);
    // Rebuilding an open menu makes it flicker or close on some desktops: only when something changed.
    if (key !== this.lastMenu) {
      this.tray.setContextMenu(Menu.buildFromTemplate(specs.map((s) => this.toTemplate(s))));
      this.lastMenu = key;
    }
  }

  /** Remove the icon. */
  destroy(): void {
    this.tray.destroy();
  }

  private iconName(input: TrayModelInput): string {
    const open = input.conflicts.filter((c) => !c.resolved).length;
    // Linux panels draw tray icons at 22–24 px: start from the 32 px art; Windows and macOS use 16 (+@2x).
    return trayIconFor(input.overall, open, process.platform === 'linux' ? 32 : 16);
  }

  private image(name: string): NativeImage {
    let img = this.images.get(name);
    if (!img) {
      img = nativeImage.createFromPath(join(this.assetsDir, name));
      this.images.set(name, img);
    }
    return img;
  }

  private toTemplate(spec: MenuItemSpec): MenuItemConstructorOptions {
    switch (spec.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { id: spec.id, label: escapeMnemonic(spec.label), enabled: false };
      case 'action':
        return { id: spec.id, label: escapeMnemonic(spec.label), enabled: spec.enabled, click: () => this.onAction(spec.action) };
      case 'checkbox':
        return { id: spec.id, label: escapeMnemonic(spec.label), type: 'checkbox', checked: spec.checked, click: () => this.onAction(spec.action) };
      case 'submenu':
        return { id: spec.id, label: escapeMnemonic(spec.label), submenu: spec.items.map((s) => this.toTemplate(s)) };
    }
  }
}

// Windows and Linux read "&" as a mnemonic marker: a file called "R&D.txt" must show its "&".
function escapeMnemonic(label: string): string {
  return process.platform === 'darwin' ? label : label.replace(/&/g, '&&');
}
