/** Left navigation between the pages. */
import type { ReactNode } from 'react';
import { Activity, FolderSync, Server, Settings, TriangleAlert } from 'lucide-react';
import { Logo } from './Logo';

/** The pages of the app. */
export type PageId = 'folders' | 'activity' | 'conflicts' | 'server' | 'settings';

const ITEMS: readonly { id: PageId; label: string; icon: ReactNode }[] = [
  { id: 'folders', label: 'Folders', icon: <FolderSync size={18} aria-hidden="true" /> },
  { id: 'activity', label: 'Activity', icon: <Activity size={18} aria-hidden="true" /> },
  { id: 'conflicts', label: 'Conflicts', icon: <TriangleAlert size={18} aria-hidden="true" /> },
  { id: 'server', label: 'Server', icon: <Server size={18} aria-hidden="true" /> },
  { id: 'settings', label: 'Settings', icon: <Settings size={18} aria-hidden="true" /> },
];

interface SidebarProps {
  page: PageId;
  onNavigate: (page: PageId) => void;
  conflicts: number;
  activeTransfers: number;
  serverRunning: boolean;
}

/** Nav landmark with one button per page; the current one carries aria-current. */
export function Sidebar({ page, onNavigate, conflicts, activeTransfers, serverRunning }: SidebarProps): ReactNode {
  // Visible pills are decoration; the button's name carries the same fact ("Conflicts, 2 open").
  const extra = (id: PageId): { pill: ReactNode; spoken: string } | null => {
    if (id === 'conflicts' && conflicts > 0) return { pill: <span className="nav-count warn" aria-hidden="true">{conflicts}</span>, spoken: `${conflicts} open` };
    if (id === 'activity' && activeTransfers > 0) return { pill: <span className="nav-count" aria-hidden="true">{activeTransfers}</span>, spoken: `${activeTransfers} in progress` };
    if (id === 'server' && serverRunning) return { pill: <span className="nav-dot" aria-hidden="true" />, spoken: 'running' };
    return null;
  };
  return (
    <aside className="sidebar">
      <div className="brand">
        <Logo />
        <span>Ferry</span>
      </div>
      <nav aria-label="Main">
        <ul>
          {ITEMS.map((item) => {
            const x = extra(item.id);
            return (
              <li key={item.id}>
                <button
                  type="button"
                  className="nav-item"
                  aria-current={page === item.id ? 'page' : undefined}
                  title={item.label}
                  aria-label={x ? `${item.label}, ${x.spoken}` : undefined}
                  onClick={() => onNavigate(item.id)}
                >
                  {item.icon}
                  <span className="nav-label">{item.label}</span>
                  {x?.pill}
                </button>
              </li>
            );
          })}
        </ul>
      </nav>
    </aside>
  );
}
