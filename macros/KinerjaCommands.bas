Attribute VB_Name = "KinerjaCommands"
Option Explicit
'
' What the buttons do. The checking itself is Python's (watcher/desk/excel_bridge.py, through
' xlwings' RunPython): the same rules as the server, on the workbook as it is open now. Python also
' shows the outcome (message box, "Hasil Validasi" workbook, first offending cell), because on macOS
' RunPython returns before Python has finished.

Public Const CHECK_COMMAND As String = "import watcher.desk.excel_bridge as k; k.periksa()"
Public Const SEND_COMMAND As String = "import watcher.desk.excel_bridge as k; k.kirim()"
Public Const STEP_COMMAND As String = "import watcher.desk.excel_bridge as k; k.pilih_langkah()"

' Periksa: check the active workbook with the server's rules.
Public Sub CheckActiveWorkbook()
    Dim book As Object
    If Not ReadyToRun(book) Then Exit Sub
    RunPythonCommand CHECK_COMMAND
End Sub

' Kirim: save a copy of the active workbook (as it is now, unsaved changes included) for Python,
' which checks that very copy and, only if it passes, writes it into the step folder under the
' standard file name, never over an existing file.
Public Sub SendActiveWorkbook()
    Dim book As Object, copyPath As String
    If Not ReadyToRun(book) Then Exit Sub
    If Not HasWorkbookExtension(book.Name) Then
        ShowMessage "Buku kerja '" & book.Name & "' bukan berkas .xlsx. Simpan dulu sebagai " & _
            "'Excel Workbook (*.xlsx)' (File > Save As), lalu klik Kirim lagi.", True
        Exit Sub
    End If
    If Not AskYesNo("Kirim buku kerja '" & book.Name & "' sebagai " & StepName() & _
        " ke folder bersama?" & vbLf & vbLf & "Buku kerja diperiksa dulu dengan aturan yang " & _
        "sama dengan server; bila ada kesalahan, tidak ada yang dikirim.", "Kirim") Then Exit Sub
    On Error GoTo CopyFailed
    copyPath = JoinPath(ExchangeFolder(), SEND_COPY_NAME)
    If Not RemoveFile(copyPath) Then
        ShowMessage "Salinan lama " & copyPath & " tidak dapat dihapus. Tutup program yang " & _
            "membukanya, lalu klik Kirim lagi.", True
        Exit Sub
    End If
    SaveWorkbookCopy book, copyPath
    On Error GoTo 0
    RunPythonCommand SEND_COMMAND
    Exit Sub
CopyFailed:
    ShowMessage "Salinan buku kerja tidak dapat disimpan ke " & copyPath & " (" & _
        ConfigPath() & "): " & Err.Description, True
End Sub

' Atur Folder: choose the shared folder's kinerja root (the folder holding "inbox").
Public Sub ChooseSharedFolder()
    Dim chosen As String
    chosen = PickFolder(ReadSetting(ROOT_KEY))
    If Len(chosen) = 0 Then Exit Sub
    If Not FolderExists(JoinPath(chosen, "inbox")) Then
        ShowMessage "Folder " & chosen & " bukan folder kerja kinerja: di dalamnya tidak ada " & _
            "folder 'inbox'. Pilih folder yang berisi inbox, outbox dan data_induk.", True
        Exit Sub
    End If
    On Error GoTo NotSaved
    WriteSetting ROOT_KEY, chosen
    ShowMessage "Folder bersama disimpan:" & vbLf & chosen
    Exit Sub
NotSaved:
    ShowMessage "Pengaturan tidak dapat disimpan ke " & ConfigPath() & ": " & Err.Description, True
End Sub

' Pilih Langkah: Python asks which of the tree's SOP submissions this PC sends (each named with
' its person, from the SOP), saves the choice beside the shared folder and says so.
Public Sub ChooseStep()
    Dim book As Object
    If Not ReadyToRun(book) Then Exit Sub
    RunPythonCommand STEP_COMMAND
End Sub

Public Sub ShowHelp()
    ShowMessage "Kinerja (Pengumpulan Data Kinerja)" & vbLf & vbLf & _
        "Periksa: memeriksa buku kerja yang sedang dibuka dengan aturan yang sama dengan " & _
        "server, menampilkan temuan di buku kerja 'Hasil Validasi' dan memilih sel bermasalah " & _
        "yang pertama." & vbLf & vbLf & _
        "Kirim: memeriksa lalu menyimpan salinan .xlsx dengan nama standar ke folder langkah " & _
        "bidang Anda di folder bersama (tidak pernah menimpa berkas lain)." & vbLf & vbLf & _
        "Pilih Langkah: memilih langkah kirim SOP yang dikirim komputer ini (daftar langkah " & _
        "dan pelaksananya diambil dari SOP folder kerja)." & vbLf & vbLf & _
        "Atur Folder: memilih folder bersama kinerja." & vbLf & vbLf & _
        "Sekarang: " & StepName() & vbLf & "Folder: " & ReadSetting(ROOT_KEY)
End Sub

' The checks every button makes first: a workbook is open, the shared folder is set and reachable.
Private Function ReadyToRun(book As Object) As Boolean
    Dim root As String
    ReadyToRun = False
    If ActiveWorkbook Is Nothing Then
        ShowMessage "Buka dulu buku kerja rencana aksi yang ingin diperiksa atau dikirim.", True
        Exit Function
    End If
    On Error GoTo Unreadable
    root = ReadSetting(ROOT_KEY)
    On Error GoTo 0
    If Len(root) = 0 Then
        ShowMessage "Folder bersama belum diatur di komputer ini. Klik 'Atur Folder' pada tab " & _
            "Kinerja dan pilih folder kerja kinerja di folder bersama.", True
        Exit Function
    End If
    If Not FolderExists(root) Then
        ShowMessage "Folder bersama " & root & " tidak dapat dibuka. Periksa sambungan jaringan " & _
            "(buka foldernya di File Explorer), atau klik 'Atur Folder'.", True
        Exit Function
    End If
    Set book = ActiveWorkbook
    ReadyToRun = True
    Exit Function
Unreadable:
    ShowMessage "Pengaturan " & ConfigPath() & " tidak dapat dibaca: " & Err.Description & _
        ". Jalankan 'kinerja excel-setup' lagi atau klik 'Atur Folder'.", True
End Function

Private Function HasWorkbookExtension(bookName As String) As Boolean
    ' A workbook never saved has no extension yet: SaveCopyAs writes it as .xlsx.
    HasWorkbookExtension = (InStr(bookName, ".") = 0) Or (LCase$(Right$(bookName, 5)) = ".xlsx")
End Function
