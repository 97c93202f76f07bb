import { createRoot } from 'react-dom/client';
import { SidePanelApp } from '../../components/panel/SidePanelApp.tsx';

createRoot(document.getElementById('root')!).render(<SidePanelApp />);
