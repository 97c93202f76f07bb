import { PopupApp } from '../../components/popup/PopupApp.tsx';
import { renderExtensionPage } from '../../components/common/bootstrap.tsx';

void renderExtensionPage(<PopupApp />);
