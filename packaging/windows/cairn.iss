; Inno Setup script for Cairn on Windows (UNVERIFIED: written on Linux, never compiled; see packaging/README.md).
; Input: dist\cairn\ from packaging\windows\cairn.spec.  Output: Output\cairn-<version>-setup.exe.
; Per-user install (no administrator rights); user data in %LOCALAPPDATA%\Cairn is never removed by the uninstaller.
; Screen OCR needs Tesseract-OCR for Windows installed separately (tesseract.exe is not bundled yet).
#define AppVersion GetEnv("CAIRN_VERSION")
#if AppVersion == ""
  #define AppVersion "0.2.0"
#endif

[Setup]
AppId={{6C1E3C0B-6F1A-4C1F-9E8B-CA1B2A7D0F42}
AppName=Cairn
AppVersion={#AppVersion}
AppPublisher=The Cairn developers
DefaultDirName={autopf}\Cairn
DefaultGroupName=Cairn
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=cairn-{#AppVersion}-setup
Compression=lzma2/ultra64
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\cairn-app.exe
; Windows 10 2004 or later: WDA_EXCLUDEFROMCAPTURE keeps Cairn's own windows out of its screenshots.
MinVersion=10.0.19041

[Tasks]
Name: "autostart"; Description: "Start Cairn in the tray when I sign in"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked

[Files]
Source: "..\..\dist\cairn\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Cairn"; Filename: "{app}\cairn-app.exe"
Name: "{autodesktop}\Cairn"; Filename: "{app}\cairn-app.exe"; Tasks: desktopicon
; The same opt-in as `cairn autostart on` on Linux: the app in the tray at sign-in.
Name: "{userstartup}\Cairn"; Filename: "{app}\cairn-app.exe"; Parameters: "--tray"; Tasks: autostart

[Registry]
; `cairn` on PATH for the current user.
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Check: NeedsAddPath(ExpandConstant('{app}')); Flags: preservestringtype

[Run]
Filename: "{app}\cairn-app.exe"; Description: "Open Cairn"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the app itself may leave inside its install folder; %LOCALAPPDATA%\Cairn (the vault) is never listed.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Current: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Current) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Current) + ';') = 0;
end;
