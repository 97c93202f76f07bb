import { OptionsApp } from '../../components/options/OptionsApp.tsx';
import { renderExtensionPage } from '../../components/common/bootstrap.tsx';

void renderExtensionPage(<OptionsApp />);
