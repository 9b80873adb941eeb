/** Line icons (16 px, currentColor): decorative, always beside a text label or an aria-label. */
import type { ReactNode } from 'react';

function Icon({ children, size = 16 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const OverviewIcon = () => (
  <Icon>
    <path d="M2 4h12M2 7h9M2 10h6M2 13h11" />
  </Icon>
);
export const AppsIcon = () => (
  <Icon>
    <rect x="2" y="2" width="5" height="5" rx="1.2" />
    <rect x="9" y="2" width="5" height="5" rx="1.2" />
    <rect x="2" y="9" width="5" height="5" rx="1.2" />
    <rect x="9" y="9" width="5" height="5" rx="1.2" />
  </Icon>
);
export const HistoryIcon = () => (
  <Icon>
    <path d="M2 13.5h12" />
    <path d="M2.5 11l3-4 3 2.5 4.5-6" />
  </Icon>
);
export const DriverIcon = () => (
  <Icon>
    <rect x="4" y="4" width="8" height="8" rx="1" />
    <path d="M6 1.5V4M10 1.5V4M6 12v2.5M10 12v2.5M1.5 6H4M1.5 10H4M12 6h2.5M12 10h2.5" />
  </Icon>
);
export const LabIcon = () => (
  <Icon>
    <path d="M6 1.5h4M6.5 1.5v4.5L2.8 12.6a1.3 1.3 0 0 0 1.1 1.9h8.2a1.3 1.3 0 0 0 1.1-1.9L9.5 6V1.5" />
    <path d="M4.5 10h7" />
  </Icon>
);
export const SettingsIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="2.2" />
    <path d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4" />
  </Icon>
);
export const SearchIcon = () => (
  <Icon>
    <circle cx="7" cy="7" r="4.5" />
    <path d="M10.5 10.5L14 14" />
  </Icon>
);
export const ChevronIcon = ({ open }: { open: boolean }) => (
  <Icon size={12}>
    <path d={open ? 'M4 6l4 4 4-4' : 'M6 4l4 4-4 4'} />
  </Icon>
);
export const InfoIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="6.2" />
    <path d="M8 7.2v4M8 4.8v.2" />
  </Icon>
);
export const AlertIcon = () => (
  <Icon>
    <path d="M8 2L1.8 13h12.4z" />
    <path d="M8 6.5v3M8 11.3v.2" />
  </Icon>
);
export const CheckIcon = () => (
  <Icon>
    <path d="M3 8.5l3 3 7-7" />
  </Icon>
);
export const UpIcon = () => (
  <Icon size={12}>
    <path d="M8 13V3M4 7l4-4 4 4" />
  </Icon>
);
export const DownIcon = () => (
  <Icon size={12}>
    <path d="M8 3v10M4 9l4 4 4-4" />
  </Icon>
);
export const BoltIcon = () => (
  <Icon>
    <path d="M9 1.5L3.5 9H8l-1 5.5L12.5 7H8z" />
  </Icon>
);
