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
  const count = (id: PageId): ReactNode => {
    if (id === 'conflicts' && conflicts > 0) return <span className="nav-count warn" aria-label={`${conflicts} open`}>{conflicts}</span>;
    if (id === 'activity' && activeTransfers > 0) return <span className="nav-count" aria-label={`${activeTransfers} active`}>{activeTransfers}</span>;
    if (id === 'server' && serverRunning) return <span className="nav-dot" aria-label="running" />;
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
          {ITEMS.map((item) => (
            <li key={item.id}>
              <button type="button" className="nav-item" aria-current={page === item.id ? 'page' : undefined} onClick={() => onNavigate(item.id)}>
                {item.icon}
                <span className="nav-label">{item.label}</span>
                {count(item.id)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
    </aside>
  );
}
