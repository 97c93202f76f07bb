import { renderExtensionPage } from '../../components/common/bootstrap.tsx';
import { CompareApp } from '../../components/compare/CompareApp.tsx';

void renderExtensionPage(<CompareApp />);
