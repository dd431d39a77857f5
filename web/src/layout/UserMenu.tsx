import { DownOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePreferences } from '../app/preferences';
import { useSession } from '../auth/session';
import { languages } from '../i18n';
import { AboutModal } from './AboutModal';
import { PasswordModal } from './PasswordModal';
import { ProfileModal } from './ProfileModal';

export function UserMenu() {
  const { t } = useTranslation();
  const { user, signOut } = useSession();
  const { language, setLanguage, dark, setDark } = usePreferences();
  const [open, setOpen] = useState<'profile' | 'password' | 'about' | null>(null);
  if (!user) return null;
  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          // A hover-opened submenu closes when the pointer's path to it crosses another item,
          // and a touch screen has no hover at all.
          triggerSubMenuAction: 'click',
          items: [
            { key: 'profile', label: t('userMenu.profile') },
            { key: 'password', label: t('userMenu.changePassword') },
            { type: 'divider' },
            { key: 'language', label: t('userMenu.language'), children: languages.map((l) => ({ key: `lang:${l.code}`, label: l.label, disabled: l.code === language })) },
            { key: 'dark', label: dark ? t('userMenu.lightMode') : t('userMenu.darkMode') },
            { key: 'about', label: t('userMenu.about') },
            { type: 'divider' },
            { key: 'logout', label: t('userMenu.logOut') },
          ],
          onClick: async ({ key }) => {
            if (key.startsWith('lang:')) setLanguage(key.slice(5) as (typeof languages)[number]['code']);
            else if (key === 'dark') setDark(!dark);
            else if (key === 'logout') await signOut();
            else setOpen(key as 'profile' | 'password' | 'about');
          },
        }}
      >
        <Button type="text" icon={<UserOutlined />} aria-label={t('userMenu.label')}>
          {user.username} <DownOutlined />
        </Button>
      </Dropdown>
      <ProfileModal open={open === 'profile'} onClose={() => setOpen(null)} />
      <PasswordModal open={open === 'password'} onClose={() => setOpen(null)} />
      <AboutModal open={open === 'about'} onClose={() => setOpen(null)} />
    </>
  );
}
