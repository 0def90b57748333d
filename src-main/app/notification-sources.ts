/** Moved to src-shared (the web GUI notifies from the same rules); re-exported for the desktop shell. */
export * from '../../src-shared/notifications/notification-sources';
