import { SidePanelApp } from '../../components/panel/SidePanelApp.tsx';
import { renderExtensionPage } from '../../components/common/bootstrap.tsx';

void renderExtensionPage(<SidePanelApp />);
